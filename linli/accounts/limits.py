"""Every sign-in limit in one place; docs/accounts.md lists the same numbers."""

from datetime import timedelta

from linli.accounts.throttle import Limit

SMS_CODE_TTL = timedelta(minutes=5)
SMS_CODE_MAX_ATTEMPTS = 5  # wrong guesses per code, then the code is dead

# Requesting codes (subjects: phone blind index, client IP).
SMS_SEND_PHONE_MINUTE = Limit("sms.send.phone.60s", 1, timedelta(seconds=60))
SMS_SEND_PHONE_HOUR = Limit("sms.send.phone.1h", 5, timedelta(hours=1))
SMS_SEND_IP_HOUR = Limit("sms.send.ip.1h", 20, timedelta(hours=1))

# Failed SMS sign-ins (subjects: phone blind index, client IP).
SMS_FAIL_PHONE = Limit("sms.fail.phone.15m", 10, timedelta(minutes=15))
SMS_FAIL_IP = Limit("sms.fail.ip.15m", 30, timedelta(minutes=15))

# Failed staff sign-ins (subjects: lower-cased username whether or not it exists, client IP).
STAFF_FAIL_USERNAME = Limit("staff.fail.user.15m", 5, timedelta(minutes=15))
STAFF_FAIL_IP = Limit("staff.fail.ip.15m", 20, timedelta(minutes=15))

TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365
TOKENS_PER_USER = 50  # live tokens; stops a runaway client from minting without end
