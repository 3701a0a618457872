SELECT U&'d\0061t;a' UESCAPE '!', U&"x;", X'1F', B'01;', N'n';
