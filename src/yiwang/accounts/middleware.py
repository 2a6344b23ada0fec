from yiwang.accounts.refusals import RefusalAuditMiddleware

__all__ = ["RefusalAuditMiddleware"]
