import type { ReactNode } from 'react';
import { parseBlocks } from '../lib/markdown.js';

/** Inline `code` and **bold**; everything else stays text (no HTML is ever interpreted). */
function inline(text: string): ReactNode[] {
  return text.split(/(\*\*[^*]+\*\*|`[^`]+`)/g).map((part, i) => {
    if (part.startsWith('**') && part.endsWith('**') && part.length > 4) return <strong key={i}>{part.slice(2, -2)}</strong>;
    if (part.startsWith('`') && part.endsWith('`') && part.length > 2) return <code key={i}>{part.slice(1, -1)}</code>;
    return part;
  });
}

export function Markdown({ text }: { text: string }) {
  const out: ReactNode[] = [];
  let items: ReactNode[] = [];
  const flush = (): void => {
    if (items.length) out.push(<ul key={`ul${out.length}`}>{items}</ul>);
    items = [];
  };
  parseBlocks(text).forEach((b, i) => {
    if (b.kind === 'li') {
      items.push(<li key={i}>{inline(b.text)}</li>);
      return;
    }
    flush();
    if (b.kind === 'h') out.push(<h3 key={i}>{inline(b.text)}</h3>);
    else if (b.kind === 'hr') out.push(<hr key={i} />);
    else out.push(<p key={i}>{inline(b.text)}</p>);
  });
  flush();
  return <div className="markdown">{out}</div>;
}
