// The signature providers' settings, read by config.ts like every other setting. A provider is
// configured wholly or not at all: half a configuration stops the start naming what is missing,
// none leaves the provider unavailable (a level asking for it fails with a precise error).

import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AcrobatSignSettings, DocusignSettings } from './adapters/esign/index.ts';
import type { ConfigVariable } from './config.ts';

export const signatureVariables: readonly ConfigVariable[] = [
  {
    name: 'DOCUSIGN_INTEGRATION_KEY',
    default: '(none)',
    description:
      'DocuSign integration key (client id) for the JWT grant. DocuSign signature levels need it, DOCUSIGN_USER_ID, DOCUSIGN_ACCOUNT_ID, DOCUSIGN_PRIVATE_KEY and DOCUSIGN_CONNECT_HMAC_KEY; without any of them DocuSign is unavailable.',
  },
  {
    name: 'DOCUSIGN_USER_ID',
    default: '(none)',
    description: 'GUID of the DocuSign user the integration acts as (who granted it consent).',
  },
  { name: 'DOCUSIGN_ACCOUNT_ID', default: '(none)', description: 'DocuSign account id the envelopes are sent from.' },
  {
    name: 'DOCUSIGN_PRIVATE_KEY',
    default: '(none)',
    description: 'The integration RSA private key: its PEM text, or the path of a file holding it.',
  },
  {
    name: 'DOCUSIGN_CONNECT_HMAC_KEY',
    default: '(none)',
    description:
      'DocuSign Connect HMAC key(s), comma-separated while rotating: a Connect message is taken only with a matching X-DocuSign-Signature header.',
  },
  {
    name: 'DOCUSIGN_BASE_PATH',
    default: 'https://demo.docusign.net/restapi',
    description: 'eSignature REST API base path: the account base URI followed by /restapi.',
  },
  {
    name: 'DOCUSIGN_OAUTH_HOST',
    default: 'account-d.docusign.com',
    description: 'DocuSign OAuth host: account-d.docusign.com (developer) or account.docusign.com.',
  },
  {
    name: 'ACROBAT_SIGN_BASE_URL',
    default: '(none)',
    description:
      'Acrobat Sign API access point of the account, e.g. https://api.na1.adobesign.com. Acrobat Sign signature levels need it, ACROBAT_SIGN_CLIENT_ID and a token; without any of them Acrobat Sign is unavailable.',
  },
  {
    name: 'ACROBAT_SIGN_CLIENT_ID',
    default: '(none)',
    description: 'Client id of our Acrobat Sign API application: webhooks must carry it in X-AdobeSign-ClientId, and it is echoed back.',
  },
  {
    name: 'ACROBAT_SIGN_ACCESS_TOKEN',
    default: '(none)',
    description: 'Acrobat Sign integration key or access token; without it the refresh token is used.',
  },
  {
    name: 'ACROBAT_SIGN_CLIENT_SECRET',
    default: '(none)',
    description: 'Client secret of the Acrobat Sign application, for the refresh-token grant.',
  },
  {
    name: 'ACROBAT_SIGN_REFRESH_TOKEN',
    default: '(none)',
    description: 'Acrobat Sign OAuth refresh token, used with ACROBAT_SIGN_CLIENT_SECRET when no access token is set.',
  },
];

type Text = (name: string) => string | undefined;

const httpsUrl = (name: string, raw: string, problems: string[]): string => {
  try {
    if (new URL(raw).protocol !== 'https:') problems.push(`${name} must start with https://`);
  } catch {
    problems.push(`${name} is not a valid URL`);
  }
  return raw;
};

/** PEM text, or a file holding it; refused unless it is an RSA private key (the JWT grant signs RS256). */
function privateKey(raw: string, problems: string[]): string {
  let pem = raw;
  if (!raw.includes('-----BEGIN')) {
    try {
      pem = readFileSync(raw, 'utf8');
    } catch {
      problems.push('DOCUSIGN_PRIVATE_KEY is neither a PEM private key nor a readable file');
      return raw;
    }
  }
  try {
    // A PEM set in an environment file often has its line breaks written as \n.
    pem = pem.replace(/\\n/g, '\n').trim();
    if (createPrivateKey(pem).asymmetricKeyType !== 'rsa') problems.push('DOCUSIGN_PRIVATE_KEY must be an RSA private key');
  } catch {
    problems.push('DOCUSIGN_PRIVATE_KEY is not a readable PEM private key');
  }
  return pem;
}

function docusign(text: Text, problems: string[]): DocusignSettings | undefined {
  const required = [
    'DOCUSIGN_INTEGRATION_KEY',
    'DOCUSIGN_USER_ID',
    'DOCUSIGN_ACCOUNT_ID',
    'DOCUSIGN_PRIVATE_KEY',
    'DOCUSIGN_CONNECT_HMAC_KEY',
  ];
  const [integrationKey, userId, accountId, key, hmac] = required.map(text);
  const missing = required.filter((name) => text(name) === undefined);
  if (missing.length === required.length) return undefined;
  if (missing.length > 0) {
    problems.push(`DocuSign is half configured: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`);
    return undefined;
  }
  return {
    integrationKey: integrationKey!,
    userId: userId!,
    accountId: accountId!,
    privateKey: privateKey(key!, problems),
    connectHmacKeys: hmac!
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== ''),
    basePath: httpsUrl('DOCUSIGN_BASE_PATH', text('DOCUSIGN_BASE_PATH') ?? 'https://demo.docusign.net/restapi', problems),
    oauthHost: text('DOCUSIGN_OAUTH_HOST') ?? 'account-d.docusign.com',
  };
}

function acrobatSign(text: Text, problems: string[]): AcrobatSignSettings | undefined {
  const names = [
    'ACROBAT_SIGN_BASE_URL',
    'ACROBAT_SIGN_CLIENT_ID',
    'ACROBAT_SIGN_ACCESS_TOKEN',
    'ACROBAT_SIGN_CLIENT_SECRET',
    'ACROBAT_SIGN_REFRESH_TOKEN',
  ];
  const [baseUrl, clientId, accessToken, clientSecret, refreshToken] = names.map(text);
  if (names.every((name) => text(name) === undefined)) return undefined;
  const missing = [
    ...(baseUrl === undefined ? ['ACROBAT_SIGN_BASE_URL'] : []),
    ...(clientId === undefined ? ['ACROBAT_SIGN_CLIENT_ID'] : []),
    ...(accessToken === undefined && (clientSecret === undefined || refreshToken === undefined)
      ? ['ACROBAT_SIGN_ACCESS_TOKEN (or ACROBAT_SIGN_CLIENT_SECRET and ACROBAT_SIGN_REFRESH_TOKEN)']
      : []),
  ];
  if (missing.length > 0) {
    problems.push(`Acrobat Sign is half configured: ${missing.join(', ')} missing`);
    return undefined;
  }
  return {
    baseUrl: httpsUrl('ACROBAT_SIGN_BASE_URL', baseUrl!, problems),
    clientId: clientId!,
    ...(accessToken === undefined ? {} : { accessToken }),
    ...(clientSecret === undefined || refreshToken === undefined ? {} : { refresh: { clientSecret, refreshToken } }),
  };
}

export function signatureSettings(
  text: Text,
  problems: string[],
): { docusign: DocusignSettings | undefined; acrobatSign: AcrobatSignSettings | undefined } {
  return { docusign: docusign(text, problems), acrobatSign: acrobatSign(text, problems) };
}
