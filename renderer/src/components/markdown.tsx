import type { ReactNode } from 'react';

/** Inline `code` and **bold**; everything else stays text (no HTML is ever interpreted). */
function inline(text: string): ReactNode[] {
  return text.split(/(\*\*[^*]+\*\*|`[^`]+`)/g).map((part, i) => {
    if (part.startsWith('**') && part.endsWith('**') && part.length > 4) return <strong key={i}>{part.slice(2, -2)}</strong>;
    if (part.startsWith('`') && part.endsWith('`') && part.length > 2) return <code key={i}>{part.slice(1, -1)}</code>;
    return part;
  });
}

type Block = { kind: 'h' | 'p' | 'li' | 'hr'; text: string };

/** The small Markdown subset of model cards: headings, paragraphs, bullet lists, rules. Wrapped lines are joined. */
export function parseBlocks(md: string): Block[] {
  const blocks: Block[] = [];
  let cur: Block | null = null;
  for (const raw of md.split('\n')) {
    const line = raw.trimEnd();
    if (!line.trim()) {
      cur = null;
      continue;
    }
    const h = /^#{1,6}\s+(.*)$/.exec(line);
    if (h) {
      blocks.push({ kind: 'h', text: h[1] ?? '' });
      cur = null;
    } else if (/^-{3,}$/.test(line.trim())) {
      blocks.push({ kind: 'hr', text: '' });
      cur = null;
    } else if (/^\s*[-*]\s+/.test(line)) {
      cur = { kind: 'li', text: line.replace(/^\s*[-*]\s+/, '') };
      blocks.push(cur);
    } else if (cur && (cur.kind === 'p' || /^\s/.test(raw) || cur.kind === 'li')) {
      cur.text += ` ${line.trim()}`;
    } else {
      cur = { kind: 'p', text: line.trim() };
      blocks.push(cur);
    }
  }
  return blocks;
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
