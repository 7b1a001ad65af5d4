/** The `iss` claim of the access tokens that the auth service signs. */
export const ACCESS_TOKEN_ISSUER = 'rokks-auth';

/** The `aud` claim of access tokens: every backend behind the edge accepts them. */
export const ACCESS_TOKEN_AUDIENCE = 'rokks-api';

/** The `typ` header of access tokens (RFC 9068). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
