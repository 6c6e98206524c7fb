/**
 * Matching concrete URIs against RFC 6570 level-1 templates (`incidents://{id}`), as
 * resources/read needs for resource templates (server/resources.mdx). Each `{name}` matches one
 * or more characters other than `/`, `?` and `#`; values are percent-decoded.
 */

export interface UriTemplateMatcher {
  readonly template: string;
  readonly variables: readonly string[];
  match(uri: string): Record<string, string> | undefined;
}

const EXPRESSION = /\{([A-Za-z0-9_]+)\}/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles a template; throws TypeError for operators beyond level 1 (caller misuse). */
export function compileUriTemplate(template: string): UriTemplateMatcher {
  // Only `{name}` (RFC 6570 §3.2.2 simple expansion); operators, lists, modifiers, stray braces and
  // adjacent expressions (which no URI could split unambiguously) are caller misuse.
  if (!/^(?:[^{}]|\{[A-Za-z0-9_]+\}(?!\{))*$/.test(template)) throw new TypeError(`Only RFC 6570 level-1 templates are supported: ${template}`);
  const variables: string[] = [];
  let pattern = '^';
  let last = 0;
  for (const match of template.matchAll(EXPRESSION)) {
    pattern += escapeRegExp(template.slice(last, match.index)) + '([^/?#]+)';
    variables.push(match[1] as string);
    last = match.index + match[0].length;
  }
  const regexp = new RegExp(`${pattern}${escapeRegExp(template.slice(last))}$`);
  return {
    template,
    variables,
    match(uri) {
      const found = regexp.exec(uri);
      if (found === null) return undefined;
      const values: Record<string, string> = {};
      for (let i = 0; i < variables.length; i++) {
        try {
          values[variables[i] as string] = decodeURIComponent(found[i + 1] as string);
        } catch {
          return undefined;
        }
      }
      return values;
    },
  };
}
