/**
 * `tokengate/fs`: Node file-system helpers: `fileKeyStore`, a key-set store (`keyStore`) in a
 * directory, for key sets that survive restarts of one machine or container (a mounted
 * volume, Lambda's `/tmp` between warm invocations).
 *
 * @module tokengate/fs
 */
export { fileKeyStore, type FileKeyStoreOptions } from './file-key-store.js'
