"""Information resource sharing (政务信息资源共享平台): the resource catalogue, share requests and grants, the gateway, call logs, subscriptions and data-quality tickets."""
