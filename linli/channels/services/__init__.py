"""Writes of the channels app: a community's staff channel (`staff_channel`), and the staff
messages sent through it with the WeCom user ids they find (`staff_messages`)."""
