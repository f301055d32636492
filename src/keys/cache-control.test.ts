import { describe, expect, it } from 'vitest'
import { createVerifier } from '../core/create-verifier.js'
import { freshnessLifetime } from './cache-control.js'
import { remoteJwks } from './remote-jwks.js'

const NOW = Date.UTC(2026, 0, 1)
const life = (headers: Record<string, string>) => freshnessLifetime(new Headers(headers), NOW)

describe('freshnessLifetime', () => {
  it.each<[Record<string, string>, number | undefined]>([
    [{}, undefined],
    [{ 'cache-control': 'public' }, undefined],
    [{ 'cache-control': 'public, max-age=300' }, 300],
    [{ 'cache-control': 'MAX-AGE=300' }, 300],
    [{ 'cache-control': 'max-age="300"' }, 300],
    [{ 'cache-control': 'max-age=300, max-age=10' }, 300],
    [{ 'cache-control': 'max-age=abc' }, undefined],
    [{ 'cache-control': 'max-age=-5' }, undefined],
    [{ 'cache-control': 's-maxage=900' }, undefined],
    [{ 'cache-control': 'max-age=300, no-cache' }, 0],
    [{ 'cache-control': 'no-store' }, 0],
    [{ 'cache-control': 'max-age=300', age: '100' }, 200],
    [{ 'cache-control': 'max-age=300', age: '900' }, 0],
    [{ 'cache-control': 'max-age=300', age: 'soon' }, 300],
    [{ expires: new Date(NOW + 120_000).toUTCString() }, 120],
    [{ expires: new Date(NOW + 120_000).toUTCString(), date: new Date(NOW + 60_000).toUTCString() }, 60],
    [{ expires: new Date(NOW - 1000).toUTCString() }, 0],
    [{ expires: '0' }, 0],
    [{ 'cache-control': 'max-age=30', expires: new Date(NOW + 120_000).toUTCString() }, 30],
  ])('%j → %s', (headers, expected) => {
    expect(life(headers)).toBe(expected)
  })
})

describe('jwksCache settings', () => {
  it.each([
    [{ cooldown: '30 seconds' }, /option jwksCache\.cooldown/],
    [{ staleIfError: -1 }, /option jwksCache\.staleIfError/],
    [{ timeout: 0 }, /option jwksCache\.timeout: must be more than 0/],
    [{ maxBytes: 1.5 }, /option jwksCache\.maxBytes/],
    [{ cacheControl: { min: '2h', max: '1h' } }, /option jwksCache\.cacheControl: min is greater than max/],
    [{ cacheControl: { min: '2h' } }, /option jwksCache\.cacheControl: min is greater than max/],
    [{ cacheControl: true }, /option jwksCache\.cacheControl/],
    [{ maxage: '10m' }, /option jwksCache/],
  ])('refuses %j at construction with a TypeError naming the setting', (jwksCache, message) => {
    expect(() => createVerifier({ issuer: 'i', audience: 'a', jwksUri: 'https://idp.example.com/jwks', jwksCache } as never)).toThrow(message)
  })

  it('checks remoteJwks settings too, when it is used directly', () => {
    expect(() => remoteJwks('https://idp.example.com/jwks', { cooldown: 'soon' })).toThrow(/jwksCache\.cooldown/)
    expect(() => remoteJwks('https://idp.example.com/jwks', { cacheControl: { min: '2h' } })).toThrow(/min is greater than max/)
    expect(() => remoteJwks('ftp://idp.example.com/jwks')).toThrow(/http\(s\)/)
  })
})
