import { useEffect, useRef } from 'react';

export interface Shortcut {
  /** e.g. `a`, `shift+a`, `mod+o`, `escape`, `?`. `mod` is Ctrl (Cmd on macOS). */
  keys: string;
  label: string;
  run(): void;
}

function keyOf(e: KeyboardEvent): string {
  const parts: string[] = [];
  if (e.ctrlKey || e.metaKey) parts.push('mod');
  if (e.shiftKey && e.key.length > 1) parts.push('shift');
  if (e.shiftKey && /^[a-z]$/i.test(e.key)) parts.push('shift');
  parts.push(e.key.toLowerCase());
  return parts.join('+');
}

/** Global shortcuts, ignored while typing in a field. */
export function useShortcuts(shortcuts: Shortcut[]): void {
  const ref = useRef(shortcuts);
  ref.current = shortcuts;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
      const k = keyOf(e);
      if (typing) {
        // Esc leaves the field, so the next key is a shortcut again.
        if (k === 'escape') t.blur();
        return;
      }
      const s = ref.current.find((x) => x.keys === k);
      if (s) {
        e.preventDefault();
        s.run();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
