import { start } from './permits.js';

start('apply');
