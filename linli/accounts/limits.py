"""Every sign-in limit in one place; docs/accounts.md lists the same numbers."""

from datetime import timedelta

from linli.accounts.throttle import Limit, SignInLimits

SMS_CODE_TTL = timedelta(minutes=5)
SMS_CODE_MAX_ATTEMPTS = 5  # wrong guesses per code, then the code is dead

# Requesting codes (subjects: phone blind index, client IP).
SMS_SEND_PHONE_MINUTE = Limit("sms.send.phone.60s", 1, timedelta(seconds=60))
SMS_SEND_PHONE_HOUR = Limit("sms.send.phone.1h", 5, timedelta(hours=1))
SMS_SEND_IP_HOUR = Limit("sms.send.ip.1h", 20, timedelta(hours=1))

# Failed sign-ins (see throttle.SignInLimits): per account and client address, per address,
# and a higher ceiling per account that an address the account signed in from within 90 days
# is not held to. A stranger's wrong guesses lock the stranger, not the account everywhere.
KNOWN_CLIENT = timedelta(days=90)

# SMS sign-in (account: the phone's blind index).
SMS_FAIL = SignInLimits(
    per_source=Limit("sms.fail.phone_ip.15m", 10, timedelta(minutes=15)),
    per_client=Limit("sms.fail.ip.15m", 30, timedelta(minutes=15)),
    per_account=Limit("sms.fail.phone.15m", 30, timedelta(minutes=15)),
    known=Limit("sms.known", 1, KNOWN_CLIENT),
)

# Staff password sign-in (account: the lower-cased username, whether or not it exists).
STAFF_FAIL = SignInLimits(
    per_source=Limit("staff.fail.user_ip.15m", 5, timedelta(minutes=15)),
    per_client=Limit("staff.fail.ip.15m", 20, timedelta(minutes=15)),
    per_account=Limit("staff.fail.user.15m", 50, timedelta(minutes=15)),
    known=Limit("staff.known", 1, KNOWN_CLIENT),
)

TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365
TOKENS_PER_USER = 50  # live tokens; stops a runaway client from minting without end
