// oidc-provider ships no types (DefinitelyTyped has them, not needed for the few calls here).
declare module 'oidc-provider' {
  export const Provider: new (issuer: string, configuration: unknown) => { callback(): (req: unknown, res: unknown) => void }
  export const errors: { InvalidTarget: new () => Error }
}
