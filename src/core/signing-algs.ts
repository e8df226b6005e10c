/** The JWS algorithms Tessera signs issued JWTs with: a constant the CLI needs without loading the service. */
export const signingAlgs = ['EdDSA', 'ES256'] as const;
