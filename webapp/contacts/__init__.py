"""Partner contacts: the people of each partner who are invited to partner meetings."""
