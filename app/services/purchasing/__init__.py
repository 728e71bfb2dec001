"""Purchasing (a feature): suppliers and their offers, reorder suggestions, purchase orders from
draft to received, receiving by scan, the order PDF and the purchasing figures of the reports.

Owns: Supplier, SupplierOffer, PurchaseOrder, PurchaseOrderLine. May call: the shared core
(stock.add_lines for receipts, items, uow, pagination, quantities) and scanning.codes. It plugs
into the core through registries: the order PDF as an email attachment (notifications) and
the on-order column of the weekly report (reports).
"""
