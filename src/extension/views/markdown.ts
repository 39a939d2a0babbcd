// Text for Markdown tooltips in the tree. Pure: no vscode.

/** Escapes text for Markdown prose (not for code spans: use codeSpan there). */
export function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}

/** An inline code span; backslashes are literal inside one, so nothing is escaped but backticks removed. */
export function codeSpan(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
