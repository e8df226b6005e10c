/** A modal window (native <dialog>: focus stays inside, Escape closes) for a small form. */
import { useEffect, useRef, type ReactNode } from 'react';

/** A ref for a native <dialog> shown as a modal while `open` is true and closed otherwise. */
export function useModalDialog(open: boolean) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return ref;
}

export function Modal(props: { open: boolean; title: string; onClose: () => void; children: ReactNode }) {
  const ref = useModalDialog(props.open);
  const titleId = `modal-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog ref={ref} className="dialog dialog-wide" aria-labelledby={titleId} onCancel={(e) => { e.preventDefault(); props.onClose(); }}>
      {props.open ? (
        <>
          <h2 id={titleId}>{props.title}</h2>
          {props.children}
        </>
      ) : null}
    </dialog>
  );
}
