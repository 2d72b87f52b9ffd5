// HS256 JWTs carrying the claims of SPEC §6.9: sign (for `mcpctl token mint` and tests) and verify (for every request).
// Every token must carry `exp`, within the configured maximum lifetime; `iss`/`aud` are checked when configured.
import { webcrypto } from 'node:crypto';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { AppError } from '../core/errors.ts';
import { authClaims, PLATFORM_CLAIM, platformClaims, type AuthClaims, type PlatformClaims, type Principal } from '../core/schemas/common.ts';

const key = (secret: string) => new TextEncoder().encode(secret);

// Importing the HMAC key costs more than checking the signature: import it once per secret, not per request.
const verifyKeys = new Map<string, Promise<webcrypto.CryptoKey>>();
function verifyKey(secret: string): Promise<webcrypto.CryptoKey> {
  let cached = verifyKeys.get(secret);
  if (cached === undefined) {
    cached = webcrypto.subtle.importKey('raw', key(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    verifyKeys.set(secret, cached);
  }
  return cached;
}

export interface TokenOptions {
  /** A jose duration (`30m`, `12h`) or seconds. */
  expiresIn?: string | number;
  issuer?: string;
  audience?: string;
}

function sign(secret: string, sub: string, claims: Record<string, unknown>, options: TokenOptions): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuedAt();
  const expiresIn = options.expiresIn ?? '12h';
  jwt.setExpirationTime(typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(key(secret));
}

/** A tenant token. Its claim set has no platform claim, and the type forbids one. */
export function signToken(secret: string, claims: AuthClaims, options: TokenOptions = {}): Promise<string> {
  const { sub, owner, roles, email } = authClaims.parse(claims);
  return sign(secret, sub, { owner, roles, ...(email ? { email } : {}) }, options);
}

/** A platform administrator's token: the platform claim, no owner and no tenant roles. */
export function signPlatformToken(secret: string, claims: Omit<PlatformClaims, typeof PLATFORM_CLAIM>, options: TokenOptions = {}): Promise<string> {
  const { sub, email } = claims;
  return sign(secret, sub, { [PLATFORM_CLAIM]: 'admin', ...(email ? { email } : {}) }, options);
}

export interface VerifyOptions {
  maxLifetimeSeconds: number;
  issuer?: string | undefined;
  audience?: string | undefined;
}

const unauthenticated = (detail: string, cause?: unknown) => new AppError('unauthenticated', detail, cause === undefined ? {} : { cause });

function checkLifetime(payload: JWTPayload, maxSeconds: number): void {
  const now = Math.floor(Date.now() / 1000);
  const exp = payload.exp as number;
  // Both bounds: a back-dated iat cannot stretch the lifetime, and a far exp is refused even without iat.
  if (exp - now > maxSeconds || (typeof payload.iat === 'number' && exp - payload.iat > maxSeconds)) {
    throw unauthenticated(`the bearer token lives longer than the maximum of ${maxSeconds} seconds`);
  }
}

function toPrincipal(payload: JWTPayload): Principal {
  if (PLATFORM_CLAIM in payload) {
    const platform = platformClaims.safeParse(payload);
    if (!platform.success || 'owner' in payload || 'roles' in payload) throw unauthenticated('the platform token has malformed claims');
    return { kind: 'platform', claims: platform.data };
  }
  const claims = authClaims.safeParse(payload);
  if (!claims.success) throw unauthenticated('the bearer token lacks the sub, owner or roles claims');
  return { kind: 'tenant', claims: claims.data };
}

/**
 * Tokens already verified, per secret, by the options and the token's exact text: a client sends the same token
 * with every request, and the HMAC check through WebCrypto cost a quarter of the API's CPU under load. An entry
 * holds until the token's own `exp` (checked on every hit); each map is bounded, oldest entries first out.
 */
const VERIFIED_LIMIT = 10_000;
const verifiedBySecret = new Map<string, Map<string, { principal: Principal; exp: number }>>();

export async function verifyToken(secret: string, token: string, options: VerifyOptions): Promise<Principal> {
  let verified = verifiedBySecret.get(secret);
  if (verified === undefined) verifiedBySecret.set(secret, (verified = new Map()));
  const cacheKey = `${options.maxLifetimeSeconds}\u0000${options.issuer ?? ''}\u0000${options.audience ?? ''}\u0000${token}`;
  const hit = verified.get(cacheKey);
  // jose's own rule: a token is expired once now >= exp.
  if (hit !== undefined && Math.floor(Date.now() / 1000) < hit.exp) return hit.principal;
  verified.delete(cacheKey);
  const fresh = await verifyUncached(secret, token, options);
  if (verified.size >= VERIFIED_LIMIT) verified.delete(verified.keys().next().value!);
  verified.set(cacheKey, fresh);
  return fresh.principal;
}

async function verifyUncached(secret: string, token: string, options: VerifyOptions): Promise<{ principal: Principal; exp: number }> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, await verifyKey(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      ...(options.issuer ? { issuer: options.issuer } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
    }));
  } catch (error) {
    throw unauthenticated('the bearer token is invalid, expired, lacks exp, or has the wrong issuer or audience', error);
  }
  checkLifetime(payload, options.maxLifetimeSeconds);
  return { principal: toPrincipal(payload), exp: payload.exp as number };
}
