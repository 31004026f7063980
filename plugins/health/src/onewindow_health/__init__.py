"""onewindow section plugin for 卫生计生审批科."""
