/**
 * EC2 Query API response bodies. Success: `<ActionResponse xmlns="…/doc/2016-11-15/">` with a
 * `requestId` and the result members under their lowerCamel XML names, lists as
 * `<nameSet><item>…</item></nameSet>`. Errors use the EC2 error envelope
 * (`<Response><Errors><Error><Code>…`), see the EC2 API reference, "Error codes for the Amazon
 * EC2 API" and "Query API request / response structure".
 */
export const EC2_API_VERSION = '2016-11-15';
export const EC2_NAMESPACE = `http://ec2.amazonaws.com/doc/${EC2_API_VERSION}/`;

export type XmlValue = string | number | boolean | undefined | XmlObject | readonly XmlObject[];
export interface XmlObject {
  readonly [element: string]: XmlValue;
}

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

function render(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((v) => render('item', v)).join('')}</${name}>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as XmlObject).map(([k, v]) => render(k, v)).join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escape(String(value))}</${name}>`;
}

export function successXml(action: string, requestId: string, body: XmlObject): string {
  const inner = Object.entries(body).map(([k, v]) => render(k, v)).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}"><requestId>${requestId}</requestId>${inner}</${action}Response>`;
}

export function errorXml(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}

/** An EC2 API error: its code, HTTP status and message, as AWS would send it. */
export class Ec2ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'Ec2ApiError';
  }
}
