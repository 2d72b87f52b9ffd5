// HS256 JWTs carrying the claims of SPEC §6.9: sign (for `mcpctl token mint` and tests) and verify (for every request).
import { jwtVerify, SignJWT } from 'jose';
import { authClaims, type AuthClaims } from '../core/schemas/common.ts';
import { AppError } from '../core/errors.ts';

const key = (secret: string) => new TextEncoder().encode(secret);

export async function signToken(secret: string, claims: AuthClaims, options: { expiresIn?: string } = {}): Promise<string> {
  return new SignJWT({ owner: claims.owner, roles: claims.roles, ...(claims.email ? { email: claims.email } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(key(secret));
}

export async function verifyToken(secret: string, token: string): Promise<AuthClaims> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key(secret), { algorithms: ['HS256'] }));
  } catch (error) {
    throw new AppError('unauthenticated', 'the bearer token is invalid or expired', { cause: error });
  }
  const claims = authClaims.safeParse(payload);
  if (!claims.success) throw new AppError('unauthenticated', 'the bearer token lacks the sub, owner or roles claims');
  return claims.data;
}
