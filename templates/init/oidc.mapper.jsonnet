// Maps the claims of a social sign-in provider to the identity (kratos-harden init).
// Only an e-mail address the provider itself verified is accepted, and it is recorded as
// verified, so `require_verified_address` lets the user in and nobody can claim someone
// else's address through a provider that does not check it.
local claims = std.extVar('claims');

if std.objectHas(claims, 'email') && std.objectHas(claims, 'email_verified') && claims.email_verified then
  {
    identity: {
      traits: {
        email: claims.email,
      },
      verified_addresses: [
        { via: 'email', value: claims.email },
      ],
    },
  }
else
  error 'the provider did not confirm this e-mail address; use another sign-in method'
