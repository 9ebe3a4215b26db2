"""Handoffs: qualified leads handed from SDRs to AEs under the team's rules of engagement, AE routing,
the response SLA, and the opportunities accepted handoffs become."""
