import { start } from './permits.js';

start('queue');
