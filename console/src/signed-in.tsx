/** Who is signed in: the account (fetched once per sign-in) and the signed-in token's limits (`GET /v1/account` → `caller`). */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, type Account, type Caller } from './api';

export interface SignedIn {
  account: Account | undefined;
  /** Undefined until the account is loaded. */
  caller: Caller | undefined;
}

const Context = createContext<SignedIn>({ account: undefined, caller: undefined });

/** The account the sign-in page already fetched for this token, so it is not fetched twice. */
let handedOver: { token: string; account: Account } | undefined;

export function handOverAccount(token: string, account: Account): void {
  handedOver = { token, account };
}

export function SignedInProvider({ token, children }: { token: string; children: ReactNode }) {
  const [state, setState] = useState<SignedIn>({ account: undefined, caller: undefined });
  useEffect(() => {
    let live = true;
    const given = handedOver?.token === token ? handedOver.account : undefined;
    handedOver = undefined;
    setState({ account: given, caller: given?.caller ?? undefined });
    if (given) return;
    api.account().then((account) => {
      if (live) setState({ account, caller: account.caller ?? undefined });
    }, () => undefined);
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
