// Text for Markdown tooltips (the tree's sections, the status bar). Pure: no vscode. Anything a file or
// a repository supplies (a name, a path, a problem quoting a file's text) goes through escapeMd or
// codeSpan: a tooltip renders images, links and styling, and an image is fetched when it is shown.

/**
 * Escapes text for Markdown prose (not for code spans: use codeSpan there): no link, image, HTML,
 * emphasis or theme icon can start in it, nor a bare-address autolink (`https\://`, `www\.`).
 */
export function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$:~&]/g, '\\$&');
}

/** An inline code span; backslashes are literal inside one, so nothing is escaped but backticks removed. */
export function codeSpan(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
