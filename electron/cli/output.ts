/** Renders a result: JSON by default (what scripts parse), or `key: value` lines for people. */
export function formatOutput(value: unknown, format: 'json' | 'text'): string {
  if (format === 'json' || value === null || typeof value !== 'object') return `${JSON.stringify(value, null, 2)}\n`;
  const lines: string[] = [];
  const walk = (v: unknown, prefix: string) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, child] of Object.entries(v)) walk(child, prefix ? `${prefix}.${k}` : k);
    } else {
      lines.push(`${prefix}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    }
  };
  walk(value, '');
  return `${lines.join('\n')}\n`;
}
