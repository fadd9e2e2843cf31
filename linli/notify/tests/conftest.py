from linli.notify.fakes import sms_outbox  # noqa: F401  (fixture)
from linli.testing.sms_gateways import fake_aliyun, fake_tencent, sms_gateways  # noqa: F401  (fixtures)
