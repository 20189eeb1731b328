export * from '../validation.js';
export * from './parsers.js';
export * from './decl.js';
export * from './vocabulary.js';
export * from './resilience.js';
export * from './registry.js';
export * from './table.js';
