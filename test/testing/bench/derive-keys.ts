/** Key derivation cost per algorithm vs random RSA generation: `npx tsx test/testing/bench/derive-keys.ts`. */
import { deriveSigningKey } from '../../../src/testing/seeded-keys.js'
import { generateKeyPairSync } from 'node:crypto'
const stats = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return `median ${s[s.length >> 1]!.toFixed(0)} ms, max ${s[s.length - 1]!.toFixed(0)} ms` }
for (const alg of ['RS256', 'ES256', 'EdDSA', 'HS256'] as const) {
  const times: number[] = []
  for (let i = 0; i < 20; i++) { const t = performance.now(); await deriveSigningKey(alg, { seed: `bench-${i}` }); times.push(performance.now() - t) }
  console.log(`derive ${alg}: ${stats(times)} (20 seeds)`)
}
const times: number[] = []
for (let i = 0; i < 20; i++) { const t = performance.now(); generateKeyPairSync('rsa', { modulusLength: 2048 }); times.push(performance.now() - t) }
console.log(`random RSA-2048 (generateKeyPairSync): ${stats(times)} (20 keys)`)
