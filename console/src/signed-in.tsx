/**
 * Who is signed in: the account (fetched once per sign-in) and the signed-in token's limits (`caller`). Servers whose
 * `/v1/account` has no `caller` yet are asked which token this is (`POST /v1/explain`) and for its record.
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, request, type Account, type Caller } from './api';

export interface SignedIn {
  account: Account | undefined;
  /** Undefined until known, or when the token may not read tokens. */
  caller: Caller | undefined;
}

const Context = createContext<SignedIn>({ account: undefined, caller: undefined });

/** The account the sign-in page already fetched for this token, so it is not fetched twice. */
let handedOver: { token: string; account: Account } | undefined;

export function handOverAccount(token: string, account: Account): void {
  handedOver = { token, account };
}

async function callerOf(token: string, account: Account): Promise<Caller | undefined> {
  if (account.caller) return account.caller;
  try {
    const { tokenId } = await request<{ tokenId: string | null }>('POST', '/v1/explain', { body: { token, scope: 'tokens:read' } });
    if (!tokenId) return undefined;
    const self = await api.getToken(tokenId);
    return { tokenId, name: self.name, scopes: self.scopes, deny: self.deny, expiresAt: self.expiresAt, allowedIps: self.allowedIps };
  } catch {
    // A token without tokens:read cannot look itself up: the console then knows no limits and no own id.
    return undefined;
  }
}

export function SignedInProvider({ token, children }: { token: string; children: ReactNode }) {
  const [state, setState] = useState<SignedIn>({ account: undefined, caller: undefined });
  useEffect(() => {
    let live = true;
    const given = handedOver?.token === token ? handedOver.account : undefined;
    handedOver = undefined;
    setState({ account: given, caller: undefined });
    (async () => {
      const account = given ?? await api.account();
      if (!live) return;
      setState({ account, caller: account.caller });
      const caller = await callerOf(token, account);
      if (live) setState({ account, caller });
    })().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [token]);
  return <Context.Provider value={state}>{children}</Context.Provider>;
}

export function useSignedIn(): SignedIn {
  return useContext(Context);
}

/** "This is the token you are signed in with…": said before any action that would end the session. */
export function OwnTokenWarning({ action }: { action: string }) {
  return (
    <p className="banner banner-warning">
      <strong>This is the token you are signed in with.</strong> If you {action} it, this console stops working for you and
      you will have to sign in again with another token. If it is the account’s only management token, nobody can manage
      the account afterwards.
    </p>
  );
}
