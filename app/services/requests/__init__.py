"""Carts and stock requests (a feature): each user's cart, a submitted request that a manager
approves (moving every line's stock), rejects or that its requester cancels.

Owns: Cart, CartLine, StockRequest and its events. May call: the shared core (stock.apply_lines,
locations, uow, pagination, permissions).
"""
