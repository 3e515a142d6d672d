import { defineConfig } from 'vitest/config';
import { fromSource } from '../../vitest.shared.js';

export default defineConfig(fromSource());
