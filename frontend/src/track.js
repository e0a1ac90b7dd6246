import { start } from './permits.js';

start('track');
