import type { Command } from '../io.js';
import { analyzeCommand } from './analyze.js';
import { keysCommand } from './keys.js';

/** Every CLI command. Add one line per command file. */
export const COMMANDS: readonly Command[] = [analyzeCommand, keysCommand];
