// A compact stand-in for the Public Suffix List, used only to refuse wildcards that would span a registry
// ("*.co.uk") or a multi-tenant hosting domain ("*.s3.amazonaws.com"). The full list (~10k rules) does not
// fit a constrained device; these rules cover the common ccTLD second levels and the large shared hosts.

const CC_SECOND_LEVEL = /^(ac|co|com|edu|gob|go|gov|govt|gouv|int|ltd|mil|ne|net|nic|nom|or|org|plc|sch)\.[a-z]{2}$/;

const SHARED_HOSTING = [
  "s3.amazonaws.com",
  "compute.amazonaws.com",
  "elasticbeanstalk.com",
  "cloudfront.net",
  "azurewebsites.net",
  "cloudapp.net",
  "blob.core.windows.net",
  "appspot.com",
  "blogspot.com",
  "firebaseapp.com",
  "web.app",
  "github.io",
  "githubusercontent.com",
  "gitlab.io",
  "herokuapp.com",
  "netlify.app",
  "vercel.app",
  "pages.dev",
  "workers.dev",
  "fly.dev",
  "onrender.com",
  "ngrok.io",
  "duckdns.org",
  "dyndns.org",
  "no-ip.org",
];

/** True when `name` (canonical, lowercase) is a public suffix: a TLD, a ccTLD second level, or a shared host. */
export function isPublicSuffix(name: string): boolean {
  if (name.indexOf(".") < 0) return true;
  if (CC_SECOND_LEVEL.test(name)) return true;
  return SHARED_HOSTING.indexOf(name) >= 0;
}
