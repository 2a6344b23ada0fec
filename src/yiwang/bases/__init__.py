"""Base databases (基础库): population (人口), legal persons (法人) and the geography layer (空间地理), the providers behind the sharing gateway."""
