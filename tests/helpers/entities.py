"""Entity ids of the test phone's entities (its entries are titled "Front desk")."""

from __future__ import annotations

# Sensors.
LINE_1 = "sensor.front_desk_line_1"
PHONE_STATUS = "sensor.front_desk_phone_status"
LAST_CALLER = "sensor.front_desk_last_caller"
LAST_STARTED = "sensor.front_desk_last_call_started"
MISSED = "sensor.front_desk_missed_calls"
PUSH = "sensor.front_desk_push"
# Binary sensors.
RINGING = "binary_sensor.front_desk_ringing"
IN_CALL = "binary_sensor.front_desk_in_call"
ACCOUNT_1 = "binary_sensor.front_desk_account_1_registered"
ACCOUNT_2 = "binary_sensor.front_desk_account_2_registered"
# Buttons.
ANSWER = "button.front_desk_answer"
REJECT = "button.front_desk_reject"
HANG_UP = "button.front_desk_hang_up"
HOLD = "button.front_desk_hold_resume"
RESTART = "button.front_desk_restart"
RESET_MISSED = "button.front_desk_reset_missed_calls"
# The call event entity and the call-back list.
CALL_ENTITY = "event.front_desk_call"
CALL_BACK = "todo.front_desk_call_back"
