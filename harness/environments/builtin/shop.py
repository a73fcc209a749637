"""A small shop: products found by words, a cart, orders placed and cancelled.

Standard library only, no module-level state, no clock and no randomness: the sandbox loads this file on its own,
and a replay of the same calls from the same state gives the same results and ids.
"""

from __future__ import annotations

import copy

from harness.environments.builtin.state_fields import checked_fields

_ORDER_STATUSES = ("placed", "cancelled")


def _quantities(where: str, value: dict) -> None:
    for product_id, quantity in value.items():
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise ValueError(f"{where}.{product_id}: expected a positive integer, got {quantity!r}")


class Shop:
    """Products by id (`P-12`) with a whole-dollar price and a stock; one cart; orders by id (`O-1001`)."""

    def __init__(self) -> None:
        self.products: dict[str, dict] = {}
        self.cart: dict[str, int] = {}
        self.orders: dict[str, dict] = {}
        self.next_order: int = 1

    def _load_scenario(self, state: dict, long_context: bool = False) -> None:
        """Validate and load a state; `long_context` is accepted for the protocol BFCL's classes share, and these
        states have no long variant."""
        checked_fields("state", state, {"products": dict, "cart": dict, "orders": dict, "next_order": int})
        for product_id, product in state["products"].items():
            checked_fields(
                f"products.{product_id}", product, {"name": str, "category": str, "price": int, "stock": int}
            )
        _quantities("cart", state["cart"])
        for order_id, order in state["orders"].items():
            fields = {"items": dict, "total": int, "shipping_address": str, "status": str}
            _quantities(f"orders.{order_id}.items", checked_fields(f"orders.{order_id}", order, fields)["items"])
            if order["status"] not in _ORDER_STATUSES:
                raise ValueError(f"orders.{order_id}.status: {order['status']!r} is not one of {_ORDER_STATUSES}")
        for product_id in state["cart"]:
            if product_id not in state["products"]:
                raise ValueError(f"cart.{product_id}: not a product")
        self.products = copy.deepcopy(state["products"])
        self.cart = copy.deepcopy(state["cart"])
        self.orders = copy.deepcopy(state["orders"])
        self.next_order = state["next_order"]

    def _product(self, product_id: str) -> dict:
        if product_id not in self.products:
            raise ValueError(f"unknown product {product_id!r}")
        return self.products[product_id]

    def search_products(self, query: str) -> dict:
        """Products whose name or category holds every word of `query` (any case, a plural's `s` ignored), so
        that "yoga mats" finds the Yoga Mat."""
        words = [word[:-1] if len(word) > 3 and word.endswith("s") else word for word in query.lower().split()]
        if not words:
            raise ValueError("query is empty: give a word to look for")
        found = [
            {"product_id": product_id, "name": product["name"], "price": product["price"], "stock": product["stock"]}
            for product_id, product in sorted(self.products.items())
            if all(word in f"{product['name']} {product['category']}".lower() for word in words)
        ]
        return {"products": found}

    def add_to_cart(self, product_id: str, quantity: int) -> dict:
        """Put `quantity` more of a product in the cart. Refused, with the cart unchanged, beyond the stock: the
        user must hear how many there are."""
        product = self._product(product_id)
        if quantity < 1:
            raise ValueError(f"quantity must be at least 1, got {quantity}")
        in_cart = self.cart.get(product_id, 0)
        if in_cart + quantity > product["stock"]:
            raise ValueError(f"out of stock: {product['stock']} {product['name']} left, {in_cart} already in the cart")
        self.cart[product_id] = in_cart + quantity
        return {"product_id": product_id, "quantity_in_cart": self.cart[product_id], "cart_total": self._total()}

    def _total(self) -> int:
        return sum(self.products[product_id]["price"] * quantity for product_id, quantity in self.cart.items())

    def view_cart(self) -> dict:
        """What the cart holds and its total in dollars."""
        items = [
            {"product_id": product_id, "name": self.products[product_id]["name"], "quantity": quantity}
            for product_id, quantity in sorted(self.cart.items())
        ]
        return {"items": items, "total": self._total()}

    def place_order(self, shipping_address: str) -> dict:
        """Order everything in the cart, shipped to one address: the stock goes down and the cart empties."""
        if not self.cart:
            raise ValueError("the cart is empty: add products first")
        if not shipping_address.strip():
            raise ValueError("shipping_address is empty")
        order_id = f"O-{self.next_order}"
        self.next_order += 1
        total = self._total()
        for product_id, quantity in self.cart.items():
            self.products[product_id]["stock"] -= quantity
        self.orders[order_id] = {
            "items": dict(self.cart),
            "total": total,
            "shipping_address": shipping_address,
            "status": "placed",
        }
        self.cart = {}
        return {"order_id": order_id, "total": total, "status": "placed"}

    def cancel_order(self, order_id: str) -> dict:
        """Cancel a placed order: its items go back in stock and its total is refunded."""
        if order_id not in self.orders:
            raise ValueError(f"unknown order {order_id!r}")
        order = self.orders[order_id]
        if order["status"] == "cancelled":
            raise ValueError(f"order {order_id} is already cancelled")
        for product_id, quantity in order["items"].items():
            self._product(product_id)["stock"] += quantity
        order["status"] = "cancelled"
        return {"order_id": order_id, "status": "cancelled", "refunded": order["total"]}
