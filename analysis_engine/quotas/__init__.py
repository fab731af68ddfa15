"""Plan limits enforced where the work happens: storage reservations and upload slots."""
