/** An in-app link: a real <a href> (keyboard, new tab) that navigates without a reload. */
import type { ReactNode } from 'react';
import { base, linkHandler } from '../router';

export function Link(props: { to: string; children: ReactNode; className?: string; 'aria-current'?: 'page' | undefined }) {
  return (
    <a href={base + props.to} onClick={linkHandler(props.to)} className={props.className} aria-current={props['aria-current']}>
      {props.children}
    </a>
  );
}
