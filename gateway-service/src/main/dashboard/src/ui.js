// Shared pieces of the dashboard's pages: the html tag (htm bound to Preact), role checks, formatting, and small
// components (a modal dialog, an error line, a status badge, a copy button).
import { h } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

const RANK = { viewer: 0, member: 1, admin: 2, owner: 3 };

/**
 * What a role may do, as the API decides (ARCHITECTURE.md, identity): members run, cancel and upload; admins manage
 * credentials, members, workflows, webhooks and agents; the owner transfers the team.
 */
export function can(role, action) {
  const need = { run: 'member', cancel: 'member', upload: 'member', manage: 'admin', transfer: 'owner' }[action] ?? 'owner';
  return (RANK[role] ?? -1) >= RANK[need];
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function ago(iso) {
  if (!iso) return '';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return when(iso);
}

export function bytes(n) {
  if (n == null) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function StatusBadge({ status }) {
  return html`<span class="badge status-${status}">${status}</span>`;
}

/** An error to show, with the API's error_message when it gave one; nothing when there is none. */
export function ErrorLine({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message ?? String(error)}</p>`;
}

/** A modal dialog (the native <dialog>, so focus is trapped and Escape closes it). */
export function Dialog({ title, onClose, children, wide }) {
  const ref = useRef();
  // Opened and focused in the render that mounts it (a layout effect runs before the browser paints or handles input):
  // with a later effect, keys typed as soon as the dialog appeared went to the page while it was still closed.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog.open) dialog.showModal();
    // Focus starts in the form (showModal would put it on the close button), unless something inside has it already.
    if (!dialog.contains(document.activeElement) || document.activeElement.matches('.dialog-head button')) {
      dialog.querySelector('form input, form select, form textarea')?.focus();
    }
    const cancel = (e) => { e.preventDefault(); onClose(); };
    dialog.addEventListener('cancel', cancel);
    return () => dialog.removeEventListener('cancel', cancel);
  }, []);
  return html`<dialog ref=${ref} class=${wide ? 'wide' : ''} aria-labelledby="dialog-title">
    <header class="dialog-head"><h2 id="dialog-title">${title}</h2>
      <button type="button" class="icon" aria-label="Close" onClick=${onClose}>×</button></header>
    ${children}
  </dialog>`;
}

export function CopyButton({ text, label = 'Copy' }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Without clipboard access (an insecure origin), select the text for the user instead.
      const range = document.createRange();
      const node = document.querySelector('.secret');
      if (node) { range.selectNodeContents(node); getSelection().removeAllRanges(); getSelection().addRange(range); }
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return html`<button type="button" class="secondary" onClick=${copy}>${copied ? 'Copied' : label}</button>`;
}

/** Runs an async action, keeping its busy state and its error (the API's message) for the form to show. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (fn, onError) => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(e);
      onError?.(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}
