export type Block = { kind: 'h' | 'p' | 'li' | 'hr'; text: string };

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
