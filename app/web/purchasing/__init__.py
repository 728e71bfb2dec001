"""Purchasing pages: suppliers, reorder suggestions, purchase orders and receiving into bins."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for

from app.auth import current_actor
from app.headers import CONTENT_SECURITY_POLICY
from app.limits import SEARCH_LENGTH
from app.models import OrderState
from app.permissions import Permission, can, require
from app.services import items
from app.services.purchasing import orders as purchasing
from app.services.purchasing import receiving as purchasing_scan
from app.services.purchasing import reorder, suppliers
from app.web.common import attempt, int_arg, page_links
from app.web.forms import EmptyForm, checked
from app.web.purchasing import options  # noqa: F401  (its route attaches to bp)
from app.web.purchasing.blueprint import bp
from app.web.purchasing.forms import (
    AddLineForm,
    NewOrderForm,
    OfferForm,
    OrderHeaderForm,
    OverReceiptForm,
    PolicyForm,
    ReceiveForm,
    ScanReceiptForm,
    SuggestionsForm,
    SupplierForm,
)

PER_PAGE = 50


# Suppliers


@bp.get("/suppliers")
@require(Permission.PURCHASING_READ)
def suppliers_index(form: SupplierForm | None = None, status: int = 200):
    search = (request.args.get("search") or "").strip()[:SEARCH_LENGTH]
    page = suppliers.page_suppliers(search or None, page=int_arg("page", 1, minimum=1), per_page=PER_PAGE)
    return (
        render_template(
            "purchasing/suppliers.html",
            suppliers=page.items,
            page=page,
            links=page_links(page),
            search=search,
            form=form or SupplierForm(formdata=None),
        ),
        status,
    )


@bp.post("/suppliers")
@require(Permission.PURCHASING_MANAGE)
def create_supplier():
    form = SupplierForm()
    if not form.validate():
        return suppliers_index(form, 422)
    outcome = attempt(lambda: suppliers.create_supplier(form.values()), form)
    if not outcome.ok:
        return suppliers_index(form, outcome.status)
    flash(f"Supplier {outcome.value.name} added.", "success")
    return redirect(url_for("purchasing.supplier", supplier_id=outcome.value.id))


@bp.get("/suppliers/<int:supplier_id>")
@require(Permission.PURCHASING_READ)
def supplier(supplier_id: int, form: SupplierForm | None = None, status: int = 200):
    found = suppliers.get_supplier(supplier_id)
    return (
        render_template(
            "purchasing/supplier.html",
            supplier=found,
            form=form or SupplierForm(obj=found, formdata=None),
            orders=purchasing.list_orders(supplier_id=supplier_id, per_page=20).items,
            delete_form=EmptyForm(),
        ),
        status,
    )


@bp.post("/suppliers/<int:supplier_id>")
@require(Permission.PURCHASING_MANAGE)
def update_supplier(supplier_id: int):
    suppliers.get_supplier(supplier_id)
    form = SupplierForm()
    if not form.validate():
        return supplier(supplier_id, form, 422)
    outcome = attempt(lambda: suppliers.update_supplier(supplier_id, form.values()), form)
    if not outcome.ok:
        return supplier(supplier_id, form, outcome.status)
    flash("Supplier saved.", "success")
    return redirect(url_for("purchasing.supplier", supplier_id=supplier_id))


@bp.post("/suppliers/<int:supplier_id>/delete")
@require(Permission.PURCHASING_MANAGE)
def delete_supplier(supplier_id: int):
    if checked(EmptyForm()) and attempt(lambda: suppliers.delete_supplier(supplier_id)).ok:
        flash("Supplier removed.", "success")
        return redirect(url_for("purchasing.suppliers_index"))
    return redirect(url_for("purchasing.supplier", supplier_id=supplier_id))


# An item's reorder policy and offers (shown on the item's page)


@bp.post("/items/<int:item_id>/policy")
@require(Permission.PURCHASING_MANAGE)
def item_policy(item_id: int):
    item = items.get_item(item_id)
    form = PolicyForm(prefix="policy")
    if form.validate():
        changes = {name: getattr(form, name).data for name in ("reorder_point", "reorder_quantity", "max_stock")}
        call = lambda: items.update_item(  # noqa: E731
            item_id, changes, actor=current_actor(), expected_version=item.version, partial=True
        )
        if attempt(call).ok:
            flash("Reorder policy saved.", "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("items.detail", item_id=item_id) + "#purchasing")


@bp.post("/items/<int:item_id>/offers")
@require(Permission.PURCHASING_MANAGE)
def add_offer(item_id: int):
    from app.web.items.detail import with_offer_form  # the item's page shows the form's errors

    items.get_item(item_id)
    form = OfferForm(prefix="offer")
    if not form.validate():
        return with_offer_form(item_id, form, 422)
    outcome = attempt(lambda: suppliers.add_offer(item_id, form.values()), form)
    if not outcome.ok:
        return with_offer_form(item_id, form, outcome.status)
    flash("Supplier offer added.", "success")
    return redirect(url_for("items.detail", item_id=item_id) + "#purchasing")


@bp.post("/items/<int:item_id>/offers/<int:supplier_id>/prefer")
@require(Permission.PURCHASING_MANAGE)
def prefer_offer(item_id: int, supplier_id: int):
    if checked(EmptyForm()) and attempt(lambda: suppliers.update_offer(item_id, supplier_id, {"preferred": True})).ok:
        flash("Preferred supplier changed.", "success")
    return redirect(url_for("items.detail", item_id=item_id) + "#purchasing")


@bp.post("/items/<int:item_id>/offers/<int:supplier_id>/delete")
@require(Permission.PURCHASING_MANAGE)
def delete_offer(item_id: int, supplier_id: int):
    if checked(EmptyForm()) and attempt(lambda: suppliers.delete_offer(item_id, supplier_id)).ok:
        flash("Supplier offer removed.", "success")
    return redirect(url_for("items.detail", item_id=item_id) + "#purchasing")


# Suggestions


@bp.get("/suggestions")
@require(Permission.PURCHASING_MANAGE)
def suggestions():
    return render_template("purchasing/suggestions.html", groups=reorder.suggestions(), form=EmptyForm())


@bp.post("/suggestions")
@require(Permission.PURCHASING_MANAGE)
def order_suggestions():
    form = SuggestionsForm()
    if not checked(form):
        return redirect(url_for("purchasing.suggestions"))
    chosen = form.item_ids.data
    if not chosen:
        flash("Tick the items to order first.", "error")
        return redirect(url_for("purchasing.suggestions"))
    outcome = attempt(lambda: purchasing.from_suggestions(chosen, actor=current_actor()))
    if not outcome.ok:
        return redirect(url_for("purchasing.suggestions"))
    flash(f"{len(outcome.value)} draft order(s) created, one per supplier: check them and send.", "success")
    if len(outcome.value) == 1:
        return redirect(url_for("purchasing.order", order_id=outcome.value[0].id))
    return redirect(url_for("purchasing.orders", state="draft"))


# Purchase orders


@bp.get("/orders")
@require(Permission.PURCHASING_READ)
def orders(form: NewOrderForm | None = None, status: int = 200):
    state = request.args.get("state") or None
    if state not in {s.value for s in OrderState}:
        state = None
    supplier_id = int_arg("supplier_id", None, minimum=1)
    page = purchasing.list_orders(
        state=state,
        supplier_id=supplier_id,
        page=int_arg("page", 1, minimum=1),
        per_page=25,
        after=int_arg("after", None, minimum=1),
    )
    return render_template(
        "purchasing/orders.html",
        page=page,
        links=page_links(page),
        state=state,
        supplier_id=supplier_id,
        states=[s.value for s in OrderState],
        form=form or NewOrderForm(formdata=None),
        is_late=purchasing.is_late,
    ), status


@bp.post("/orders")
@require(Permission.PURCHASING_MANAGE)
def create_order():
    form = NewOrderForm()
    if not form.validate():
        return orders(form, 422)
    outcome = attempt(
        lambda: purchasing.create_order({"supplier_id": form.supplier_id.data}, actor=current_actor()), form
    )
    if not outcome.ok:
        return orders(form, outcome.status)
    flash(f"Draft order #{outcome.value.id} created: add its lines.", "success")
    return redirect(url_for("purchasing.order", order_id=outcome.value.id))


@bp.get("/orders/<int:order_id>")
@require(Permission.PURCHASING_READ)
def order(order_id: int, forms: dict | None = None, status: int = 200):
    found = purchasing.get_order(order_id)
    forms = forms or {}
    actor = current_actor()
    header = forms.get("header") or OrderHeaderForm(obj=found, formdata=None)
    over = OverReceiptForm(formdata=None, allow_over_receipt=found.allow_over_receipt)
    receivable = [line for line in found.lines if line.remaining > 0 or found.allow_over_receipt]
    receive_form = ReceiveForm.for_lines(receivable)
    return (
        render_template(
            "purchasing/order.html",
            order=found,
            total=purchasing.order_total(found),
            late=purchasing.is_late(found),
            header=header,
            add_form=forms.get("add") or AddLineForm(formdata=None),
            scan_form=forms.get("scan") or ScanReceiptForm(formdata=None),
            over_form=over,
            receive_form=receive_form,
            receiving=list(zip(receive_form.receipts, receivable, strict=True)),
            tracked={line.item.tracking for line in receivable} - {"none"},
            form=EmptyForm(),
            may_edit=can(actor, Permission.PURCHASING_MANAGE) and found.state == OrderState.DRAFT,
            may_manage=can(actor, Permission.PURCHASING_MANAGE),
            may_receive=can(actor, Permission.PURCHASING_RECEIVE)
            and found.state in (OrderState.SENT, OrderState.PARTIALLY_RECEIVED),
        ),
        status,
    )


# The receiving form's camera button reads codes with ZXing compiled to WebAssembly, as the Scan page does.
order.talisman_view_options = {  # type: ignore[attr-defined]  (read by flask-talisman per view)
    "content_security_policy": {**CONTENT_SECURITY_POLICY, "script-src": "'self' 'wasm-unsafe-eval'"}
}


@bp.post("/orders/<int:order_id>")
@require(Permission.PURCHASING_MANAGE)
def update_order(order_id: int):
    purchasing.get_order(order_id)
    form = OrderHeaderForm()
    if not form.validate():
        return order(order_id, {"header": form}, 422)
    changes = {"expected_date": form.expected_date.data, "note": form.note.data or None}
    outcome = attempt(lambda: purchasing.update_order(order_id, changes, actor=current_actor()), form)
    if not outcome.ok:
        return order(order_id, {"header": form}, outcome.status)
    flash("Order saved.", "success")
    return redirect(url_for("purchasing.order", order_id=order_id))


@bp.post("/orders/<int:order_id>/lines")
@require(Permission.PURCHASING_MANAGE)
def add_line(order_id: int):
    purchasing.get_order(order_id)
    form = AddLineForm()
    if not form.validate():
        return order(order_id, {"add": form}, 422)

    def call():
        price = Decimal(form.unit_price.data) if form.unit_price.data is not None else None
        return purchasing.add_line(order_id, form.item.data, Decimal(form.quantity.data), price, actor=current_actor())

    outcome = attempt(call, form)  # a refusal naming no field of the form (a sent order, say) is flashed
    if not outcome.ok:
        return order(order_id, {"add": form}, outcome.status)
    flash("Line added.", "success")
    return redirect(url_for("purchasing.order", order_id=order_id) + "#lines")


@bp.post("/orders/<int:order_id>/lines/<int:line_id>/delete")
@require(Permission.PURCHASING_MANAGE)
def remove_line(order_id: int, line_id: int):
    if checked(EmptyForm()) and attempt(lambda: purchasing.remove_line(order_id, line_id, actor=current_actor())).ok:
        flash("Line removed.", "success")
    return redirect(url_for("purchasing.order", order_id=order_id) + "#lines")


@bp.post("/orders/<int:order_id>/send")
@require(Permission.PURCHASING_MANAGE)
def send(order_id: int):
    if checked(EmptyForm()):
        outcome = attempt(lambda: purchasing.send(order_id, actor=current_actor()))
        if outcome.ok:
            flash(f"Order #{order_id} sent: {outcome.value.sent_to} gets the PDF by email.", "success")
    return redirect(url_for("purchasing.order", order_id=order_id))


@bp.post("/orders/<int:order_id>/cancel")
@require(Permission.PURCHASING_MANAGE)
def cancel(order_id: int):
    if checked(EmptyForm()) and attempt(lambda: purchasing.cancel(order_id, actor=current_actor())).ok:
        flash(f"Order #{order_id} cancelled.", "success")
    return redirect(url_for("purchasing.order", order_id=order_id))


@bp.post("/orders/<int:order_id>/over-receipt")
@require(Permission.PURCHASING_MANAGE)
def over_receipt(order_id: int):
    form = OverReceiptForm()
    if checked(form):
        allowed = bool(form.allow_over_receipt.data)
        call = lambda: purchasing.update_order(  # noqa: E731
            order_id, {"allow_over_receipt": allowed}, actor=current_actor()
        )
        if attempt(call).ok:
            flash("Over-receipt " + ("allowed." if allowed else "refused again."), "success")
    return redirect(url_for("purchasing.order", order_id=order_id))


@bp.post("/orders/<int:order_id>/receive")
@require(Permission.PURCHASING_RECEIVE)
def receive(order_id: int):
    """The table form: a quantity and a bin per line; empty quantities are skipped."""
    found = purchasing.get_order(order_id)
    form = ReceiveForm()
    back = url_for("purchasing.order", order_id=order_id) + "#receive"
    if not form.validate():
        flash(form.problems({line.id: line.item.sku for line in found.lines}), "error")
        return redirect(back)
    if attempt(lambda: purchasing.receive(order_id, form.entries(), actor=current_actor())).ok:
        flash("Received: the stock is in its bins.", "success")
    return redirect(back)


@bp.post("/orders/<int:order_id>/scan-receive")
@require(Permission.PURCHASING_RECEIVE)
def scan_receive(order_id: int):
    """The scan form: one item (or line), one bin, one quantity."""
    found = purchasing.get_order(order_id)
    form = ScanReceiptForm()
    if not form.validate():
        return order(order_id, {"scan": form}, 422)

    def call():
        serials = purchasing_scan.split_serials(form.serials.data)
        quantity = Decimal(form.quantity.data) if form.quantity.data is not None else None
        line, entry = purchasing_scan.traced_entry(
            found,
            form.code.data,
            quantity=quantity,
            lot=form.lot.data,
            expires_on=form.expires_on.data,
            serials=serials,
        )
        entry["location_id"] = purchasing_scan.bin_for(form.bin.data)
        return purchasing.receive(order_id, [entry], actor=current_actor()), line, entry

    outcome = attempt(call, form, fallback_field="bin")
    if not outcome.ok:
        return order(order_id, {"scan": form}, outcome.status)
    _order, line, entry = outcome.value
    lot = f" (lot {entry['lot']})" if "lot" in entry else ""
    flash(f"Received {entry['quantity'].normalize():f} {line.item.unit} of {line.item.sku}{lot}.", "success")
    return redirect(url_for("purchasing.order", order_id=order_id) + "#receive")
