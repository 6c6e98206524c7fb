/**
 * RFC 6570 level-1 templates (`incidents://{id}`): expansion, and matching a concrete URI back
 * to its variables, as resources/read needs for resource templates (server/resources.mdx).
 * `match` is the inverse of `expand`: a URI matches only when it is exactly the expansion of the
 * values it decodes to, so each resource has one spelling (subscriptions and notifications
 * compare URIs as strings), and matching takes time linear in the URI's length.
 */

export interface UriTemplateMatcher {
  readonly template: string;
  readonly variables: readonly string[];
  /** The URI for these values (RFC 6570 §3.2.2); TypeError for a missing value or a lone surrogate. */
  expand(values: Readonly<Record<string, string>>): string;
  /** The non-empty values whose expansion is exactly `uri`, or undefined. Never throws. */
  match(uri: string): Record<string, string> | undefined;
}

const EXPRESSION = /\{([A-Za-z0-9_]+)\}/g;
// RFC 6570 §3.2.1: an expanded value holds unreserved characters (RFC 3986 §2.3) and %XX octets.
const EXPANDED_VALUE = '((?:[A-Za-z0-9._~-]|%[0-9A-F]{2})+)';
// A character no expanded value contains: a literal holding one separates two expressions unambiguously.
const SEPARATOR = /[^A-Za-z0-9._~%-]/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** RFC 6570 §3.2.1: UTF-8, then every octet outside unreserved as %XX with uppercase hex (RFC 3986 §2.1). */
function encodeValue(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    throw new TypeError('A URI template value must be well-formed Unicode (no lone surrogates)');
  }
  return encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeValue(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** Compiles a template; throws TypeError for anything but an unambiguous level-1 template (caller misuse). */
export function compileUriTemplate(template: string): UriTemplateMatcher {
  // Only `{name}` (RFC 6570 §3.2.2 simple expansion); operators, lists, modifiers and stray braces are caller misuse.
  if (!/^(?:[^{}]|\{[A-Za-z0-9_]+\})*$/.test(template)) throw new TypeError(`Only RFC 6570 level-1 templates are supported: ${template}`);
  const variables: string[] = [];
  const literals: string[] = [];
  let last = 0;
  for (const match of template.matchAll(EXPRESSION)) {
    literals.push(template.slice(last, match.index));
    variables.push(match[1] as string);
    last = match.index + match[0].length;
  }
  literals.push(template.slice(last));
  // Between two expressions a value could end anywhere unless the literal holds a character values never contain.
  if (literals.slice(1, -1).some((literal) => !SEPARATOR.test(literal))) {
    throw new TypeError(`Expressions must be separated by a character other than A-Z a-z 0-9 - . _ ~ %: ${template}`);
  }
  const regexp = new RegExp(`^${literals.map(escapeRegExp).join(EXPANDED_VALUE)}$`);
  const expand = (values: Readonly<Record<string, string>>): string => {
    let uri = literals[0] as string;
    variables.forEach((name, i) => {
      const value = Object.hasOwn(values, name) ? values[name] : undefined;
      if (typeof value !== 'string') throw new TypeError(`No value for {${name}} in ${template}`);
      uri += encodeValue(value) + (literals[i + 1] as string);
    });
    return uri;
  };
  return {
    template,
    variables,
    expand,
    match(uri) {
      const found = regexp.exec(uri);
      if (found === null) return undefined;
      const values: Record<string, string> = {};
      for (let i = 0; i < variables.length; i++) {
        const raw = found[i + 1] as string;
        const value = decodeValue(raw);
        // RFC 3986 §6.2.2: %41 and A are one URI; only the canonical spelling (the expansion) names the resource.
        if (value === undefined || encodeValue(value) !== raw) return undefined;
        values[variables[i] as string] = value;
      }
      return values;
    },
  };
}
