import type { Command } from '../io.js';
import { analyzeCommand } from './analyze.js';
import { caseCommand } from './case.js';
import { keysCommand } from './keys.js';
import { reportCommand } from './report.js';
import { verifyCommand } from './verify.js';
import { modelsCommand } from './models.js';

/** Every CLI command. Add one line per command file. */
export const COMMANDS: readonly Command[] = [analyzeCommand, keysCommand, caseCommand, modelsCommand, reportCommand, verifyCommand];
