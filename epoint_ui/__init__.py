"""ePoint's Reflex app: the customer portal and the merchant side."""
