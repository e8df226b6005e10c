/** A labelled form field with its hint and the API's error for it shown right below the input. */
import type { ReactNode } from 'react';

/**
 * `announce`: the error is also announced (role="alert") — for a form whose only message is this one. Forms that
 * announce a summary of their errors leave it off, so nothing is said twice.
 */
export function Field(props: { label: string; htmlFor: string; hint?: ReactNode; error?: string | undefined; announce?: boolean; children: ReactNode }) {
  const errorId = `${props.htmlFor}-error`;
  return (
    <div className={props.error ? 'field field-invalid' : 'field'}>
      <label htmlFor={props.htmlFor}>{props.label}</label>
      {props.children}
      {props.hint ? <div className="hint">{props.hint}</div> : null}
      {props.error ? (
        <div className="field-error" id={errorId} role={props.announce ? 'alert' : undefined}>
          {props.error}
        </div>
      ) : null}
    </div>
  );
}
