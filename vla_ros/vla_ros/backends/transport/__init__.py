"""Transports to remote policy servers (openpi websocket, LeRobot gRPC) and the reconnecting link they
share; no policy logic.
"""
