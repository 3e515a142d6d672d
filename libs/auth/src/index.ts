// @tidings/auth: who is asking and what they may do — bearer tokens (JWT, via jose) and the
// checks every route applies to the resulting Grant.
export { ANONYMOUS, type Grant, mayConsume, mayPublish, maySubscribe } from './grant.js';
export { GRANT_CLAIM, JwtVerifier, type JwtSettings } from './jwt-verifier.js';
export { generateApiKey, hashApiKey, isApiKeyShaped, parseApiKey, secretMatches, type NewApiKey } from './api-key.js';
export { CONSOLE_TOKEN_ID, type ConsoleToken, ConsoleTokens, isConsoleTokenShaped } from './console-tokens.js';
