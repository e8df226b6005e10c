/**
 * Which gateway sits in front of forward auth decides which headers carry the original call and the client
 * address (SPEC rule 7): each kind's own, set by the gateway itself; the other kinds' are ignored, since a gateway
 * may pass a client's headers through under those names.
 */
export const GATEWAY_KINDS = ['nginx', 'traefik', 'caddy'] as const;

export type GatewayKind = (typeof GATEWAY_KINDS)[number];

export interface GatewayHeaders {
  /** The gateway's name for its forward-auth feature. */
  directive: string;
  /** Header names as documented; looked up in lower case. */
  method: string;
  uri: string;
  /**
   * The client address: a header the gateway sets to it (`whole`), or the hop the gateway appended to
   * `X-Forwarded-For` (`rightmost`); what a client wrote in front of that hop is never its address.
   */
  address: { header: string; read: 'whole' | 'rightmost' };
}

export const GATEWAY_HEADERS = {
  // nginx: proxy_set_header X-Original-Method / X-Original-URI / X-Real-IP (examples/nginx).
  nginx: { directive: 'auth_request', method: 'X-Original-Method', uri: 'X-Original-URI', address: { header: 'X-Real-IP', read: 'whole' } },
  // Traefik forwardAuth sets X-Forwarded-Method / -Uri and, with trustForwardHeader false, X-Forwarded-For to the
  // address it heard from. Its X-Real-Ip is not used: it is passed through from the client in some setups.
  traefik: { directive: 'forwardAuth', method: 'X-Forwarded-Method', uri: 'X-Forwarded-Uri', address: { header: 'X-Forwarded-For', read: 'rightmost' } },
  // Caddy forward_auth sets X-Forwarded-Method / -Uri; X-Forwarded-For is replaced for clients it does not trust
  // (2.5+), and has the client appended for those it does.
  caddy: { directive: 'forward_auth', method: 'X-Forwarded-Method', uri: 'X-Forwarded-Uri', address: { header: 'X-Forwarded-For', read: 'rightmost' } },
} as const satisfies Record<GatewayKind, GatewayHeaders>;

export function isGatewayKind(value: string): value is GatewayKind {
  return (GATEWAY_KINDS as readonly string[]).includes(value);
}

/** `/v1/authorize` for the server's kind, `/v1/authorize/<kind>` for one named by the gateway's configuration. */
export function authorizePath(kind: GatewayKind | undefined): string {
  return kind === undefined ? '/v1/authorize' : `/v1/authorize/${kind}`;
}
